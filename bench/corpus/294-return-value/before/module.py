"""From cattrs/preconf/__init__.py: unstructure_datetime_as_timestamp."""
from datetime import datetime, timezone


def unstructure_datetime_as_timestamp(v: datetime) -> float:
    """Unstructure a datetime into a UNIX timestamp.

    `datetime.timestamp` interprets naive datetimes as local time, which would
    make the result depend on the timezone of the machine unstructuring them.
    The matching structure hooks read timestamps back as UTC, so naive
    datetimes are treated as UTC here too, keeping both ends of the round-trip
    in agreement.
    """
    if v.tzinfo is None:
        v = v.replace(tzinfo=timezone.utc)
    return str(v.timestamp())
