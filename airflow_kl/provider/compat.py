"""What differs between the supported Airflow minors (3.1 to 3.3), in one place.

Airflow moved task exceptions, ``XCom`` and ``conf`` into ``airflow.sdk``
over its 3.x minors (``AirflowSkipException`` is in ``airflow.sdk.exceptions``
only from 3.2). Airflow's own providers import them from
``airflow.providers.common.compat.sdk``, which picks the right home for the
running Airflow; so does every module of this package, through this one.
"""

from __future__ import annotations

from airflow.providers.common.compat.sdk import (
    AirflowFailException,
    AirflowSkipException,
    XCom,
    conf,
)

__all__ = ["AirflowFailException", "AirflowSkipException", "XCom", "conf"]
