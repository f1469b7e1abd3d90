"""
### Retrain on the drift asset

Scheduled on `airflow-kl://nycflights13/flights/drift`, which every
`check_drift` run of `kl_drift_retrain` updates. The event's `extra` says
whether the partition drifted and which features; the model is retrained
only when it did.
"""

from __future__ import annotations

from airflow.providers.common.compat.sdk import AirflowSkipException
from airflow.sdk import dag, task
from include.flights import DATA, DRIFT_ASSET, train_model


@dag(schedule=[DRIFT_ASSET], catchup=False, doc_md=__doc__, tags=["airflow-kl", "example"])
def kl_retrain_on_asset():
    @task
    def retrain_if_drifted(triggering_asset_events=None, ds=None) -> dict:
        events = [  # matched by URI: an Asset is not hashable in Airflow 3.1
            event
            for asset, found in (triggering_asset_events or {}).items()
            if asset.uri == DRIFT_ASSET.uri
            for event in found
        ]
        drifted = [e for e in events if (e.extra or {}).get("drifted")]
        if not drifted:
            raise AirflowSkipException("no drifted partition among the triggering events")
        source = drifted[-1].extra["source"]
        result = train_model(source, str(DATA / "models" / f"arr_delay-asset-{ds}.joblib"))
        return {**result, "drifted_features": drifted[-1].extra["drifted_features"]}

    retrain_if_drifted()


kl_retrain_on_asset()
