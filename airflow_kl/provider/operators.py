"""Operators: build a reference profile, check a partition against it.

Thin by design (like common.sql's ``SQLExecuteQueryOperator``): arguments are
templated and validated in ``execute()``, the work is one call into the
Airflow-free API, the report goes to XCom, and only then is the verdict acted on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import Asset, BaseOperator

from ..core.errors import AirflowKLError
from ..core.options import DEFAULT_MAX_SEGMENTS, OPTION_NAMES
from ..core.status import INSUFFICIENT
from .exceptions import DriftDetected, InsufficientData, InvalidDriftInput
from .gate import ACTIONS, OUTPUT_FIELDS, DriftGateOperator, choice, confine
from .links import DriftReportLink
from .source_args import describe, resolve_source, storage_path

if TYPE_CHECKING:
    from ..core.profile import Profile

ON_DRIFT = ACTIONS
ON_INSUFFICIENT = ("fail", "skip", "warn")


class BuildReferenceProfileOperator(BaseOperator):
    """Summarise a reference source into a profile written atomically to ``profile_path``.

    Returns ``{"path", "checksum", "features"}``. ``segment_by`` (templated) and
    ``max_segments`` also count each segment; ``pairs`` (templated: ``"a:b,c:d"``
    or a list of pairs) keeps pairs' joint counts (see :func:`airflow_kl.build_profile`).
    When the file already holds a
    profile with the same bins and counts, it is kept as is (a rerun writes nothing).
    With ``if_exists="keep"`` a valid profile already at ``profile_path`` is
    kept without reading the source (seed a reference once, refresh it elsewhere).
    Paths may be object-storage URLs (``s3://...``), read and written with the
    credentials of the Airflow connection ``conn_id`` when given.
    """

    template_fields = ("source", "profile_path", "features", "segment_by", "pairs")
    ui_color = "#e8f4fd"

    def __init__(
        self,
        *,
        source: Any,
        profile_path: str,
        features: list[str] | None = None,
        bins: int = 10,
        top_k: int = 20,
        binning: str = "quantile",
        if_exists: str = "replace",
        base_dir: str | None = None,
        conn_id: str | None = None,
        segment_by: str | list[str] | None = None,
        max_segments: int = DEFAULT_MAX_SEGMENTS,
        pairs: str | list | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.base_dir, self.conn_id = base_dir, conn_id
        self.source, self.profile_path, self.features = source, profile_path, features
        self.bins, self.top_k, self.binning = bins, top_k, binning
        self.segment_by, self.max_segments = segment_by, max_segments
        self.pairs = pairs
        self.if_exists = if_exists

    def execute(self, context: Any) -> dict[str, Any]:
        from ..api import build_profile
        from ..core.profile import Profile

        choice("if_exists", self.if_exists, ("replace", "keep"))
        self.source, self.profile_path = confine(self.base_dir, self.source, self.profile_path)
        if self.if_exists == "keep":
            try:
                kept = Profile.load(storage_path(self.profile_path, self.conn_id))
            except AirflowKLError:
                kept = None
            if kept is not None:
                self.log.info("keeping existing profile %s (%s)", self.profile_path, kept.checksum)
                return {
                    "path": str(self.profile_path),
                    "checksum": kept.checksum,
                    "features": list(kept.features),
                }
        try:
            profile = build_profile(
                resolve_source(self.source, self.conn_id),
                features=self.features,
                bins=self.bins,
                top_k=self.top_k,
                binning=self.binning,
                metadata={"source": describe(self.source)},
                segment_by=self.segment_by,
                max_segments=self.max_segments,
                pairs=self.pairs,
            )
            target = storage_path(self.profile_path, self.conn_id)
            existing = _load_if_same(target, profile)
            if existing is None:
                profile.save(target)
                self.log.info("wrote profile %s (%s)", self.profile_path, profile.checksum)
            else:
                profile = existing
                self.log.info(
                    "profile %s unchanged (%s); not rewritten", self.profile_path, profile.checksum
                )
        except AirflowKLError as exc:
            raise InvalidDriftInput(str(exc)) from exc
        return {
            "path": str(self.profile_path),
            "checksum": profile.checksum,
            "features": list(profile.features),
        }


def _load_if_same(path: Any, profile: Profile) -> Profile | None:
    from ..core.profile import Profile

    try:
        existing = Profile.load(path)
    except AirflowKLError:  # missing, or corrupted: then it is replaced
        return None
    same = (existing.features, existing.settings, existing.segments, existing.pairs) == (
        profile.features,
        profile.settings,
        profile.segments,
        profile.pairs,
    )
    return existing if same else None


class KLDriftCheckOperator(DriftGateOperator):
    """Check a partition against a reference profile; a data-quality gate.

    :param profile: path/URI of a profile JSON (templated).
    :param source: a Parquet/CSV path or folder, a SQL mapping
        ``{"conn_id", "table" | "sql", "where", "parameters"}`` (any common.sql
        connection), a Delta Lake or Iceberg table (its URI or folder, or
        ``{"delta" | "iceberg": table, "since": ..., ...}``; ``"since": "last"``
        checks only what commits after the version this task last checked
        appended, read from the report store), or a callable taking the task's
        context (``**context``) and returning a DataFrame or ``ak.sql(...)``
        (templated).
    :param pairs: the profile's pairs to judge, ``"a:b,c:d"`` or a list of pairs
        (templated; default: every pair whose two features are judged).
    :param threshold: and the other check options (``alpha``, ``smoothing``,
        ``min_rows``, ``correction``, ``direction``, ``base``, ``drift_share``,
        ``segment_by``), with the names, defaults and validation of
        :class:`~airflow_kl.CheckSettings` (all templated; a rendered ``"0.2"``,
        ``"none"`` or JSON mapping is read as the value it spells).
    :param on_drift: ``"fail"`` raises :class:`DriftDetected` (no retries),
        ``"warn"`` logs and succeeds, ``"skip"`` marks the task skipped.
    :param on_insufficient_data: when no feature has ``min_rows`` rows:
        ``"fail"``, ``"skip"`` or ``"warn"``.
    :param drift_asset: an ``Asset`` (or its URI) that receives an event on
        success, with ``drifted``, ``drifted_features`` and (for a segmented
        profile) ``segment_by`` and ``drifted_segments`` in ``extra``.
    :param conn_id: the Airflow connection whose credentials read and write
        object-storage URLs (``s3://``, ``gs://``...) among the paths above;
        without it the storage library's own (e.g. the ``AWS_*`` variables).

    The outputs (``report_path``, ``html_path``, ``html_url``, ``history_db``,
    ``history_conn_id``) are those of every gate (:class:`DriftGateOperator`).

    The report dict is the return value (XCom ``return_value``), pushed before
    any exception.
    """

    template_fields = (
        "profile",
        "source",
        *OPTION_NAMES,
        "features",
        "pairs",
        *OUTPUT_FIELDS,
    )
    template_fields_renderers = {"source": "json", "threshold": "json"}
    ui_color = "#fdf0e8"
    operator_extra_links = (DriftReportLink(),)

    def __init__(
        self,
        *,
        profile: str,
        source: Any,
        features: list[str] | None = None,
        pairs: str | list | None = None,
        on_drift: str = "fail",
        on_insufficient_data: str = "fail",
        drift_asset: Asset | str | None = None,
        partition_key: str = "{{ ds }}",
        base_dir: str | None = None,
        conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        if drift_asset is not None:
            asset = drift_asset if isinstance(drift_asset, Asset) else Asset(drift_asset)
            kwargs["outlets"] = [*(kwargs.get("outlets") or []), asset]
        else:
            asset = None
        super().__init__(
            source=source, partition_key=partition_key, base_dir=base_dir, conn_id=conn_id, **kwargs
        )
        self.profile, self.features, self.pairs = profile, features, pairs
        self.on_drift, self.on_insufficient_data = on_drift, on_insufficient_data
        self.drift_asset = asset

    def execute(self, context: Any) -> dict[str, Any]:
        choice("on_drift", self.on_drift, ON_DRIFT)
        choice("on_insufficient_data", self.on_insufficient_data, ON_INSUFFICIENT)
        self.source, self.profile = confine(self.base_dir, self.source, self.profile)
        self.confine_outputs()
        report = self._check()
        self._drift_report = report  # for OpenLineage, when its provider asks
        result = {**report.to_dict(), "source": describe(self.source), "profile": str(self.profile)}
        self.log.info(
            "drift check of %s against %s\n%s", result["source"], self.profile, report.table()
        )
        self.publish(report, context, source=result["source"])
        context["ti"].xcom_push(key="return_value", value=result)
        self._emit_asset_event(report, result, context)
        self._act(report, result)
        return result

    def _check(self) -> Any:
        """Validate the options (before any data is read), then count and judge."""
        from ..api import check_drift
        from ..core.profile import Profile
        from ..core.settings import CheckSettings
        from ..run.since_last import with_last_checked
        from .report_store import configured_store

        try:
            settings = CheckSettings.from_options(self.check_options())
            source = with_last_checked(self.source, configured_store(), self.dag_id, self.task_id)
            if source is not self.source:
                self.log.info("checking %s", describe(source))
            return check_drift(
                Profile.load(storage_path(self.profile, self.conn_id)),
                resolve_source(source, self.conn_id),
                features=self.features,
                pairs=self.pairs,
                settings=settings,
            )
        except AirflowKLError as exc:
            raise InvalidDriftInput(str(exc)) from exc

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """The partition as input dataset with its drift assertions and metrics
        (called by Airflow's OpenLineage provider, on success and on failure)."""
        from .lineage import operator_lineage

        severity = "error" if self.on_drift == "fail" else "warn"
        return operator_lineage(self.source, getattr(self, "_drift_report", None), severity)

    def _emit_asset_event(self, report: Any, result: dict[str, Any], context: Any) -> None:
        if self.drift_asset is not None:
            context["outlet_events"][self.drift_asset].extra = {
                "drifted": report.drifted,
                "drifted_features": report.drifted_features,
                "segment_by": list(report.segment_by),
                "drifted_segments": report.drifted_segments,
                "drifted_pairs": report.drifted_pairs,
                "profile_checksum": report.profile_checksum,
                "source": result["source"],
            }

    def _act(self, report: Any, result: dict[str, Any]) -> None:
        if report.status == INSUFFICIENT:
            message = (
                f"no feature has min_rows={report.settings['min_rows']} rows in "
                f"{result['source']}; nothing could be judged"
            )
            self.act(self.on_insufficient_data, message, InsufficientData(message))
        elif report.drifted:
            message = f"{report.verdict()} ({result['source']})"
            self.act(self.on_drift, message, DriftDetected(message, result))
