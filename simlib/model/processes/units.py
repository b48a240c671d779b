"""Calendar units the processes count in — units, not behaviour: the timing assumptions are the scenario's
``timing`` section and the notice's deadlines are the rulebook's."""

YEAR_DAYS = 365.25
MONTHS_PER_YEAR = 12.0
SHORTEST_MONTH_DAYS = 28.0  # a period of n months holds at least 28 n days
QUARTER_DAYS = 91.0  # a rolling quarter (the rulebook's ``quarter_reading: rolling``)
