"""Running inference: pools of OpenVINO infer requests bridged to asyncio."""
