"""The statistics extension's ``ModelStatistics`` answer, from the dataplane's ``model_stats``."""

from __future__ import annotations

from typing import Any

from ovms_frontend_grpc._generated.ovms import grpc_predict_v2_pb2 as pb

__all__ = ["encode_model_statistics"]


def _duration(document: dict[str, int]) -> pb.StatisticDuration:
    return pb.StatisticDuration(count=document["count"], ns=document["ns"])


def encode_model_statistics(stats: list[dict[str, Any]]) -> pb.ModelStatisticsResponse:
    """Each version's entry as ``ModelStatistics`` (the same fields as the REST document)."""
    response = pb.ModelStatisticsResponse()
    for entry in stats:
        message = response.model_stats.add(
            name=entry["name"],
            version=entry["version"],
            last_inference=entry["last_inference"],
            inference_count=entry["inference_count"],
            execution_count=entry["execution_count"],
        )
        for phase, document in entry["inference_stats"].items():
            getattr(message.inference_stats, phase).CopyFrom(_duration(document))
        for batch in entry["batch_stats"]:
            message.batch_stats.add(
                batch_size=batch["batch_size"],
                compute_input=_duration(batch["compute_input"]),
                compute_infer=_duration(batch["compute_infer"]),
                compute_output=_duration(batch["compute_output"]),
            )
    return response
