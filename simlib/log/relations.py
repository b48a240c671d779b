"""Object-to-object relations (OCEL 2.0 ``o2o``) derived from what a log holds, and read back.

simlib keeps the organisation's structure as id-valued object attributes (:data:`ID_ATTRIBUTES`): a cadre's
``unit`` and ``management_authority``, a unit's ``parent``, a delegation's ``dispatching_unit``. The OCEL 2.0
forms also write each as a relation from the object to the object it names, qualified by the attribute's name
(cadre → unit ``unit``, unit → parent unit ``parent``, delegation → dispatching unit ``dispatching_unit``), so
that tools that read relations (pm4py, OCPA) see the organisation. A timed attribute (a cadre's unit after a
transfer) gives one relation per object it names over time. Only declared objects are named; ``''`` is none.

On reading, relations fill an id attribute a foreign log leaves out (one relation with that qualifier); the
attribute wins where both are given, so a simlib log reads back the same.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from simlib.log.eventlog import EventLog, isin
from simlib.log.vocabulary import ID_ATTRIBUTES

O2O_COLUMNS = ("source_id", "target_id", "qualifier")


def object_relations(log: EventLog) -> pd.DataFrame:
    """Every (source object, target object, qualifier) relation, sorted, without repeats."""
    declared = pd.concat([df["object_id"] for df in log.objects.values()], ignore_index=True) if log.objects \
        else pd.Series(dtype="str")
    parts: list[pd.DataFrame] = []
    for name, attrs in ID_ATTRIBUTES.items():
        for attr in attrs:
            frames = [log.objects_of(name)[["object_id", attr]]]
            changes = log.changes.get(name)
            if changes is not None and attr in changes:
                frames.append(changes.loc[changes["field"] == attr, ["object_id", attr]])
            pairs = pd.concat(frames, ignore_index=True).dropna()
            pairs = pairs[(pairs[attr] != "") & isin(pairs[attr], declared)]
            parts.append(pd.DataFrame({"source_id": pairs["object_id"].to_numpy(dtype=object),
                                       "target_id": pairs[attr].to_numpy(dtype=object), "qualifier": attr}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(O2O_COLUMNS))
    return out.drop_duplicates().sort_values(list(O2O_COLUMNS), ignore_index=True)


def fill_from_relations(objects: Mapping[str, pd.DataFrame], relations: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Object tables (raw, by type) with each id attribute that is missing taken from the one relation of its
    object qualified by the attribute's name (ignored where there are several, or the attribute is given)."""
    out = dict(objects)
    if not len(relations):
        return out
    single = relations.drop_duplicates(["source_id", "qualifier"], keep=False)
    for name, attrs in ID_ATTRIBUTES.items():
        if name not in out:
            continue
        df = out[name]
        for attr in attrs:
            rel = single[single["qualifier"] == attr].set_index("source_id")["target_id"]
            if not len(rel):
                continue
            found = df["object_id"].map(rel)
            current = df[attr] if attr in df else pd.Series(None, index=df.index, dtype=object)
            missing = current.isna().to_numpy() & found.notna().to_numpy()
            if missing.any():
                df = df.assign(**{attr: np.where(missing, found.astype(object), current.astype(object))})
        out[name] = df
    return out
