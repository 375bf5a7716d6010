"""The DuckDB warehouse: schema, loading, views, publishing (SPEC §5).

The pipeline writes through one ``Warehouse`` (one connection, behind ``writer_lock``) and
then ``publish``es a snapshot; analysts use ``open_readonly`` / ``query`` / ``export`` on it.
"""

from warehouse.lock import WarehouseBusy, WarehouseMissing, writer_lock
from warehouse.export import ExportExists, export
from warehouse.publish import open_readonly, publish, query, unmapped_labels
from warehouse.schema import PUBLIC_VIEWS, SCHEMA_VERSION
from warehouse.store import Warehouse

__all__ = [
    "PUBLIC_VIEWS",
    "SCHEMA_VERSION",
    "ExportExists",
    "Warehouse",
    "WarehouseBusy",
    "WarehouseMissing",
    "export",
    "open_readonly",
    "publish",
    "query",
    "unmapped_labels",
    "writer_lock",
]
