"""Paths stay inside their base directory; secrets stay out of reports, XCom and
logs; nothing is unpickled or evaluated."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.core.file_io import within

PACKAGE = Path(ak.__file__).parent


@pytest.mark.parametrize(
    "path", ["../outside.json", "reports/../../x.json", "/etc/passwd", "s3://bucket/p.json"]
)
def test_paths_cannot_escape_the_base(tmp_path, path):
    with pytest.raises(ak.ConfigError, match="escapes base directory|URI"):
        within(tmp_path, path)


def test_symlink_escape_is_caught(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "link").symlink_to(tmp_path)
    assert within(tmp_path / "base", "reports/a.json").endswith("base/reports/a.json")
    with pytest.raises(ak.ConfigError, match="escapes"):
        within(tmp_path / "base", "link/secret.json")


def test_operator_refuses_paths_outside_base_dir(tmp_path):
    from airflow_kl.provider import KLDriftCheckOperator
    from airflow_kl.provider.exceptions import InvalidDriftInput

    op = KLDriftCheckOperator(
        task_id="t", profile="../../etc/profile.json", source="part.parquet", base_dir=str(tmp_path)
    )
    with pytest.raises(InvalidDriftInput, match="escapes base directory"):
        op.execute(context={})


def test_no_pickle_or_eval_in_the_package():
    pattern = re.compile(r"\b(pickle|marshal|shelve|eval|exec)\b\s*[.(]|yaml\.load\(")
    offenders = [
        f"{p.relative_to(PACKAGE)}:{n}"
        for p in PACKAGE.rglob("*.py")
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_connection_password_never_reaches_report_xcom_or_log(
    postgres_url, tmp_path, monkeypatch, caplog, capsys, airflow_db
):
    """A real dag.test() run: SQL source and history through one Airflow connection,
    XCom serialised by Airflow, the task log captured."""
    from airflow_kl.provider import KLDriftCheckOperator
    from tests.provider.test_operators import run_operator

    engine = sa.create_engine(postgres_url)
    frame = pd.DataFrame({"x": np.random.default_rng(1).normal(size=500)})
    frame.to_sql("secret_check", engine, index=False, if_exists="replace")
    ak.build_profile(frame).save(tmp_path / "p.json")
    password = "Sup3r-s3cret-pw"
    url = sa.engine.make_url(postgres_url).set(password=password, drivername="postgresql")
    monkeypatch.setenv("AIRFLOW_CONN_PG_SECRET", url.render_as_string(hide_password=False))
    run, ti, result = run_operator(
        "secret_check",
        KLDriftCheckOperator,
        "check",
        profile=str(tmp_path / "p.json"),
        source={"conn_id": "pg_secret", "table": "secret_check"},
        report_path=str(tmp_path / "r.json"),
        history_conn_id="pg_secret",
        partition_key="{{ ds }}",
    )
    assert str(ti.state) == "success"
    assert result["drifted"] is False and result["source"] == "sql:pg_secret/secret_check"
    with engine.connect() as conn:  # history went through the same connection
        rows = conn.execute(
            sa.text("SELECT dag_id, partition_key FROM airflow_kl_history WHERE feature = 'x'")
        ).all()
    assert ("secret_check", "2024-03-01") in [tuple(r) for r in rows]
    everything = (
        json.dumps(result)
        + (tmp_path / "r.json").read_text()
        + (tmp_path / "r.html").read_text()
        + caplog.text
        + "".join(capsys.readouterr())
    )
    assert password not in everything
