from importlib.metadata import entry_points


def test_entry_point_returns_provider_info():
    (ep,) = [
        e for e in entry_points(group="apache_airflow_provider") if e.value.startswith("airflow_kl")
    ]
    info = ep.load()()
    assert info["package-name"] == "airflow-kl"
    modules = info["operators"][0]["python-modules"]
    assert modules == [
        "airflow_kl.provider.operators",
        "airflow_kl.provider.gx_validation",
        "airflow_kl.provider.backtest",
    ]
    from importlib import import_module

    for module in modules:  # each names a module that imports
        import_module(module)
    for link in info["extra-links"]:
        module, name = link.rsplit(".", 1)
        assert getattr(import_module(module), name).name in ("Drift report", "Data Docs")
    (plugin,) = info["plugins"]
    module, name = plugin["plugin-class"].rsplit(".", 1)
    assert getattr(import_module(module), name).name == plugin["name"] == "airflow_kl"
    assert set(info["config"]["airflow_kl"]["options"]) == {"store", "store_conn_id"}


def test_provider_info_and_metadata_state_the_same_lowest_airflow():
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    from airflow_kl.provider import get_provider_info

    (stated,) = get_provider_info()["dependencies"]
    airflow = [r for r in map(Requirement, requires("airflow-kl")) if r.name == "apache-airflow"]
    assert [str(r.specifier) for r in airflow] == ["<3.4,>=3.1.8"]
    assert Requirement(stated).specifier.contains("3.1.8")
    assert not Requirement(stated).specifier.contains("3.1.7")


def test_plugin_loads_through_its_entry_point():
    (ep,) = [e for e in entry_points(group="airflow.plugins") if e.value.startswith("airflow_kl")]
    plugin = ep.load()()
    (app,) = plugin.fastapi_apps
    assert app["url_prefix"] == "/airflow-kl"
    routes = {r.path for r in app["app"].routes}
    assert {"/dashboard", "/reports/{dag_id}/{run_id}/{task_id}"} <= routes
    views = {v["url_route"]: v for v in plugin.external_views}
    assert views["airflow-kl-drift"]["destination"] == "nav"
    assert views["airflow-kl-report"]["href"].endswith(
        "/airflow-kl/reports/{DAG_ID}/{RUN_ID}/{TASK_ID}?map_index={MAP_INDEX}"
    )


def test_public_names_import():
    from airflow.providers.common.compat.sdk import AirflowFailException

    from airflow_kl.provider import (
        BuildReferenceProfileOperator,
        DriftDetected,
        KLDriftCheckOperator,
    )

    assert issubclass(DriftDetected, AirflowFailException)
    assert "source" in KLDriftCheckOperator.template_fields
    assert "profile_path" in BuildReferenceProfileOperator.template_fields
