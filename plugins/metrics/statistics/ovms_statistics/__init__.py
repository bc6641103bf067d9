"""ovms-statistics: the KServe statistics extension (``GET /v2/models/stats``) for ovms."""

from ovms_core import ServedVersions, StatisticsDriver
from ovms_statistics.recorder import KServeStatistics

__all__ = ["KServeStatistics", "KServeStatisticsDriver"]


class KServeStatisticsDriver(StatisticsDriver):
    """Per-version counts and durations in the statistics extension's format."""

    def create(self, served: ServedVersions) -> KServeStatistics:
        """Statistics of the ``served`` versions, empty until their first requests."""
        return KServeStatistics(served)
