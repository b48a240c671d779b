"""Typed values as text: how the OCEL JSON and CSV forms write and read each vocabulary dtype.

Times in a simlib log are wall-clock times in China Standard Time (UTC+8) without a zone. Text forms
write them with the offset (``2005-03-01T09:00:00.000+08:00``) where a zone is expected (OCEL) and
without one in CSV. A time read with an offset (``Z``, ``+01:00`` …) is converted to UTC+8 wall time;
a time read without one is taken as UTC+8 wall time already.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.errors import InputError
from simlib.log.eventlog import TIME_DTYPE

LOCAL_OFFSET = pd.Timedelta(hours=8)
OFFSET_TEXT = "+08:00"
EPOCH = "1970-01-01T00:00:00Z"
# vocabulary dtype -> OCEL 2.0 attribute type (OCEL has no category type: categories are strings)
OCEL_TYPES = {
    "string": "string",
    "category": "string",
    "int": "integer",
    "float": "float",
    "bool": "boolean",
    "time": "time",
}
TRUE_TEXT = frozenset({"true", "1", "1.0", "yes", "y", "t"})  # 1.0: pm4py's SQLite stores flags as REAL
FALSE_TEXT = frozenset({"false", "0", "0.0", "no", "n", "f"})
_OFFSET_RE = r":\d\d(?:\.\d+)?\s*(?:[zZ]|[+-]\d\d(?::?\d\d)?)$"  # a zone after the clock


def time_unit(values: pd.Series) -> str:
    """The coarsest of ``D``, ``s`` and ``ms`` that writes every time of the column exactly."""
    ms = values.dropna().to_numpy(dtype=TIME_DTYPE).astype("int64")
    return "D" if (ms % 86_400_000 == 0).all() else "s" if (ms % 1000 == 0).all() else "ms"


def format_times(values: pd.Series, *, zone: bool, unit: str = "ms") -> pd.Series:
    """ISO 8601 text for a datetime column (NA stays None).

    ``zone``: write ``2005-03-01T09:00:00.000+08:00`` (OCEL); otherwise a space separates date and clock,
    as spreadsheets like it (CSV). ``unit`` ``D``, ``s`` or ``ms``: write a date, whole seconds or
    milliseconds.
    """
    arr = values.to_numpy(dtype=TIME_DTYPE)
    valid = ~np.isnat(arr)
    out = pd.Series(np.datetime_as_string(arr, unit=unit), index=values.index, dtype=object)
    if zone:
        out = out + OFFSET_TEXT
    elif unit != "D":
        out = out.str.replace("T", " ", n=1, regex=False)
    return out.where(valid, None)


def to_text(values: pd.Series, dtype: str, *, zone: bool, unit: str = "ms") -> pd.Series:
    """A typed column as text (object dtype, None where missing); ``zone`` and ``unit`` as in
    :func:`format_times`."""
    if dtype == "time":
        return format_times(values, zone=zone, unit=unit)
    valid = values.notna().to_numpy()
    if dtype == "bool":
        text = np.where(values.fillna(False).to_numpy(dtype=bool), "true", "false")
    elif dtype == "float":
        text = values.to_numpy(dtype="float64").astype(str)
    elif dtype == "int":
        text = values.fillna(0).to_numpy(dtype="int64").astype(str)
    else:
        text = values.astype(object).to_numpy()
    out = pd.Series(text, index=values.index, dtype=object)
    return out.where(valid, None)


def _fail(bad: pd.Series, raw: pd.Series, ids: pd.Series, what: str, source: str, expected: str) -> None:
    """Raise for the first ``bad`` value: the catalogue's ``input.log.value.not_<expected>``."""
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(source=source, field=f"{ids.iloc[i]}.{what}", key=f"log.value.not_{expected}",
                         values={"value": repr(raw.iloc[i])})


def parse_times(raw: pd.Series, ids: pd.Series, what: str, source: str) -> pd.Series:
    """Parse ISO 8601 text into UTC+8 wall-clock times, or raise naming the first bad row."""
    text = raw.astype(object).where(raw.notna(), None)
    text = pd.Series(text, index=raw.index, dtype=object)
    present = text.notna()
    zoned = present & text.str.contains(_OFFSET_RE, regex=True, na=False)
    values = np.full(len(text), np.datetime64("NaT"), dtype=TIME_DTYPE)  # filled by position: cheaper than a
    is_zoned = zoned.to_numpy()  # masked assignment into a Series, which a log's many small tables pay for often
    if is_zoned.any():
        utc = pd.to_datetime(text[zoned], format="ISO8601", utc=True, errors="coerce")
        values[is_zoned] = (utc.dt.tz_localize(None) + LOCAL_OFFSET).to_numpy(dtype=TIME_DTYPE)
    plain = present & ~zoned
    if plain.any():
        values[plain.to_numpy()] = pd.to_datetime(text[plain], format="ISO8601", errors="coerce").to_numpy(
            dtype=TIME_DTYPE)
    out = pd.Series(values, index=raw.index)
    _fail(
        present & out.isna(),
        text,
        ids,
        what,
        source,
        "time",
    )
    return out


def from_text(raw: pd.Series, dtype: str, ids: pd.Series, what: str, source: str) -> pd.Series:
    """Parse a text column into the pandas values of ``dtype`` (categories stay text: :func:`normalise`
    checks their choices), or raise :class:`InputError` naming the id and field of the first bad value."""
    if dtype == "time":
        return parse_times(raw, ids, what, source)
    present = raw.notna()
    if dtype in ("string", "category"):
        return raw.astype(object).where(present, None)
    if dtype == "bool":
        low = raw.astype("str").str.strip().str.lower()
        is_true, is_false = low.isin(TRUE_TEXT), low.isin(FALSE_TEXT)
        _fail(present & ~is_true & ~is_false, raw, ids, what, source, "bool")
        return pd.Series(np.where(is_true, True, False), index=raw.index).astype("boolean").where(present)
    num = pd.to_numeric(raw.where(present), errors="coerce")
    if dtype == "int":
        whole = num.notna() & (num == np.floor(num.fillna(0)))
        _fail(present & ~whole, raw, ids, what, source, "int")
        return num.astype("Int64")
    _fail(present & num.isna(), raw, ids, what, source, "float")
    return num.astype("float64")
