"""ovms-pipelines: DAG pipelines of served models and node plugins (``pipeline_config_list``)."""

from ovms_pipelines.manager import PipelineManager
from ovms_pipelines.pipeline import PIPELINE_VERSION, Pipeline, PipelineState

__all__ = ["PIPELINE_VERSION", "Pipeline", "PipelineManager", "PipelineState"]
