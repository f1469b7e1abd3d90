from importlib.metadata import entry_points


def test_entry_point_returns_provider_info():
    (ep,) = [
        e for e in entry_points(group="apache_airflow_provider") if e.value.startswith("airflow_kl")
    ]
    info = ep.load()()
    assert info["package-name"] == "airflow-kl"
    modules = info["operators"][0]["python-modules"]
    assert modules == ["airflow_kl.provider.operators", "airflow_kl.provider.gx_validation"]
    from importlib import import_module

    for module in modules:  # each names a module that imports
        import_module(module)
    for link in info["extra-links"]:
        module, name = link.rsplit(".", 1)
        assert getattr(import_module(module), name).name in ("Drift report", "Data Docs")


def test_public_names_import():
    from airflow.sdk.exceptions import AirflowFailException

    from airflow_kl.provider import (
        BuildReferenceProfileOperator,
        DriftDetected,
        KLDriftCheckOperator,
    )

    assert issubclass(DriftDetected, AirflowFailException)
    assert "source" in KLDriftCheckOperator.template_fields
    assert "profile_path" in BuildReferenceProfileOperator.template_fields
