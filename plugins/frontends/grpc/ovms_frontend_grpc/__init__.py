"""gRPC frontend of ovms-py: KServe v2 and TensorFlow Serving APIs over grpcio."""
