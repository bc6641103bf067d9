"""The gRPC frontend (grpcio): KServe v2 and TensorFlow Serving APIs on ``--port``.

The driver is ``ovms_frontend_grpc.frontend.GrpcFrontend`` (entry point ``grpc`` in
``ovms.frontends``). This package imports nothing itself, so that loading its hook plugin
(``ovms bench`` modes) does not import grpcio into every ``ovms`` command.
"""
