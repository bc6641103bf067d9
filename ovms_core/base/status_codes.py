# ruff: noqa: E501
# The table below has one row per code, however long its message.
"""OVMS status codes: each member carries its message text, gRPC code name and HTTP status."""

from __future__ import annotations

from enum import Enum


class StatusCode(Enum):
    """A status code of the server, with the exact OVMS message and transport codes.

    One row per code: ``NAME = message, gRPC code, HTTP status``; a row with the message alone
    has gRPC code ``UNKNOWN`` and HTTP status 500. Members are numbered in table order. The
    table holds the OVMS codes this server and its plugins answer with; codes of OVMS features
    it does not have (MediaPipe, LLM nodes, custom loaders, the C API) are left out.
    """

    def __init__(self, message: str, grpc_code: str = "UNKNOWN", http_status: int = 500) -> None:
        self.message = message
        self.grpc_code = grpc_code
        self.http_status = http_status

    def __new__(
        cls, message: str, grpc_code: str = "UNKNOWN", http_status: int = 500
    ) -> StatusCode:
        member = object.__new__(cls)
        member._value_ = len(cls.__members__)
        return member

    # fmt: off
    OK = "", "OK", 200
    PATH_INVALID = "The provided base path is invalid or doesn't exists", "INVALID_ARGUMENT", 400
    FILE_INVALID = "File not found or cannot open", "INTERNAL", 500
    CONFIG_FILE_INVALID = "Configuration file not found or cannot open"
    NOT_IMPLEMENTED = "Functionality not implemented"
    MODEL_NOT_LOADED = "Error while loading a model", "INTERNAL", 500
    JSON_INVALID = "The file is not valid json", "FAILED_PRECONDITION", 412
    JSON_NESTING_DEPTH_EXCEEDED = "JSON nesting depth exceeds the allowed limit"
    SHAPE_WRONG_FORMAT = "The provided shape is in wrong format", "INTERNAL", 500
    LAYOUT_WRONG_FORMAT = "The provided layout is in wrong format"
    FLOAT_WRONG_FORMAT = "The provided float is in wrong format"
    COLOR_FORMAT_WRONG_FORMAT = "The provided color format is in wrong format"
    PRECISION_WRONG_FORMAT = "The provided precision is in wrong format"
    PLUGIN_CONFIG_WRONG_FORMAT = "Plugin config is in wrong format", "INTERNAL", 500
    MODEL_VERSION_POLICY_WRONG_FORMAT = "Model version policy is in wrong format", "INTERNAL", 500
    MODEL_VERSION_POLICY_UNSUPPORTED_KEY = "Model version policy contains unsupported key", "INTERNAL", 500
    GRPC_CHANNEL_ARG_WRONG_FORMAT = "Grpc channel arguments passed in wrong format"
    CONFIG_FILE_TIMESTAMP_READING_FAILED = "Error during config file timestamp reading"
    RESHAPE_ERROR = "Model could not be reshaped with requested shape", "FAILED_PRECONDITION", 412
    FORBIDDEN_MODEL_DYNAMIC_PARAMETER = "Value of provided parameter is forbidden"
    ANONYMOUS_FIXED_SHAPE_NOT_ALLOWED = "Anonymous fixed shape is invalid for models with multiple inputs"
    ANONYMOUS_FIXED_LAYOUT_NOT_ALLOWED = "Anonymous fixed layout is invalid for models with multiple inputs"
    CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE = "Cannot compile model into target device", "FAILED_PRECONDITION", 412
    MODEL_NAME_MISSING = "Model with requested name is not found", "NOT_FOUND", 404
    MODEL_NAME_OCCUPIED = "Given model name is already occupied"
    MODEL_VERSION_MISSING = "Model with requested version is not found", "NOT_FOUND", 404
    MODEL_VERSION_NOT_LOADED_ANYMORE = "Model with requested version is retired", "NOT_FOUND", 404
    MODEL_VERSION_NOT_LOADED_YET = "Model with requested version is not loaded yet", "UNAVAILABLE", 404
    PIPELINE_DEFINITION_NOT_LOADED_ANYMORE = "Pipeline is retired", "NOT_FOUND", 404
    PIPELINE_DEFINITION_NOT_LOADED_YET = "Pipeline is not loaded yet", "UNAVAILABLE", 404
    MODEL_SPEC_MISSING = "model_spec missing in request", "INVALID_ARGUMENT", 400
    MODEL_VERSION_INVALID_FORMAT = "invalid model version format in request", "INVALID_ARGUMENT", 500
    INVALID_SIGNATURE_DEF = "Invalid signature name", "INVALID_ARGUMENT", 400
    CONFIG_SHAPE_IS_NOT_IN_MODEL = "Shape from config not found in model"
    CONFIG_LAYOUT_IS_NOT_IN_MODEL = "Layout from config not found in model"
    CONFIG_SHAPE_MAPPED_BUT_USED_REAL_NAME = "Shape from config has real name. Use mapped name instead"
    INVALID_NIREQ = "Nireq parameter too high"
    REQUESTED_DYNAMIC_PARAMETERS_ON_STATEFUL_MODEL = "Dynamic shape and dynamic batch size are not supported for stateful models"
    INVALID_NON_STATEFUL_MODEL_PARAMETER = "Stateful model config parameter used for non stateful model"
    INVALID_MAX_SEQUENCE_NUMBER = "Sequence max number parameter too high"
    LAYOUT_INCOMPATIBLE_WITH_SHAPE = "Layout incompatible with given shape"
    OV_NO_INPUTS = "Cannot load model with no inputs"
    OV_NO_OUTPUTS = "Cannot load model with no outputs"
    UNKNOWN_ERROR = "Unknown error"
    SEQUENCE_MISSING = "Sequence with provided ID does not exist", "NOT_FOUND", 404
    SEQUENCE_ALREADY_EXISTS = "Sequence with provided ID already exists", "ALREADY_EXISTS", 409
    SEQUENCE_ID_NOT_PROVIDED = "Sequence ID has not been provided in request inputs", "INVALID_ARGUMENT", 400
    INVALID_SEQUENCE_CONTROL_INPUT = "Unexpected value of sequence control input", "INVALID_ARGUMENT", 400
    SEQUENCE_ID_BAD_TYPE = "Could not find sequence id in expected tensor proto field uint64_val", "INVALID_ARGUMENT", 400
    SEQUENCE_CONTROL_INPUT_BAD_TYPE = "Could not find sequence control input in expected tensor proto field uint32_val", "INVALID_ARGUMENT", 400
    SEQUENCE_TERMINATED = "Sequence last request is being processed and it's not available anymore", "FAILED_PRECONDITION", 412
    SPECIAL_INPUT_NO_TENSOR_SHAPE = "Special input proto does not contain tensor shape information", "INVALID_ARGUMENT", 400
    MAX_SEQUENCE_NUMBER_REACHED = "Max sequence number has been reached. Could not create new sequence.", "UNAVAILABLE", 503
    INVALID_NO_OF_INPUTS = "Invalid number of inputs", "INVALID_ARGUMENT", 400
    INVALID_MISSING_INPUT = "Missing input with specific name", "INVALID_ARGUMENT", 400
    INVALID_MISSING_OUTPUT = "Missing output with specific name"
    INVALID_NO_OF_SHAPE_DIMENSIONS = "Invalid number of shape dimensions", "INVALID_ARGUMENT", 400
    INVALID_BATCH_SIZE = "Invalid input batch size", "INVALID_ARGUMENT", 400
    INVALID_SHAPE = "Invalid input shape", "INVALID_ARGUMENT", 400
    INVALID_STRING_MAX_SIZE_EXCEEDED = "Maximum 2D array after string conversion exceeded 1GB"
    INVALID_INPUT_FORMAT = "Inputs inside buffer does not match expected format.", "INVALID_ARGUMENT", 400
    INVALID_PRECISION = "Invalid input precision", "INVALID_ARGUMENT", 400
    INVALID_VALUE_COUNT = "Invalid number of values in tensor proto container", "INVALID_ARGUMENT", 400
    INVALID_CONTENT_SIZE = "Invalid content size of tensor proto", "INVALID_ARGUMENT", 400
    INVALID_MESSAGE_STRUCTURE = "Passing buffers both in ModelInferRequest::InferInputTensor::contents and in ModelInferRequest::raw_input_contents is not allowed", "INVALID_ARGUMENT", 400
    UNSUPPORTED_LAYOUT = "Received binary image input but resource not configured to accept NHWC layout", "INVALID_ARGUMENT", 400
    OV_INTERNAL_INFERENCE_ERROR = "Internal inference error", "INTERNAL", 500
    OV_UNSUPPORTED_SERIALIZATION_PRECISION = "Unsupported serialization precision", "INTERNAL", 500
    INTERNAL_ERROR = "Internal server error", "INTERNAL", 500
    REST_NOT_FOUND = "Requested REST resource not found", "UNKNOWN", 404
    REST_INVALID_URL = "Invalid request URL", "UNKNOWN", 400
    REST_UNSUPPORTED_METHOD = "Unsupported method", "UNKNOWN", 406
    UNAUTHORIZED = "Unauthorized request due to invalid or missing api-key"
    REST_BODY_IS_NOT_AN_OBJECT = "Request body should be JSON object", "UNKNOWN", 400
    REST_PREDICT_UNKNOWN_ORDER = "Invalid JSON structure. Could not detect row or column format", "UNKNOWN", 400
    REST_INSTANCES_NOT_AN_ARRAY = "Invalid JSON structure. Nonamed instance is not an array.", "UNKNOWN", 400
    REST_NAMED_INSTANCE_NOT_AN_OBJECT = "Invalid JSON structure. One of named instances is not a JSON object.", "UNKNOWN", 400
    REST_NO_INSTANCES_FOUND = "Invalid JSON structure. Missing instances in row format", "UNKNOWN", 400
    REST_INSTANCES_NOT_NAMED_OR_NONAMED = "Could not detect neither named or nonamed format", "UNKNOWN", 400
    REST_COULD_NOT_PARSE_INSTANCE = "Could not parse instance content. Not valid ndarray detected", "UNKNOWN", 400
    REST_INSTANCES_BATCH_SIZE_DIFFER = "Invalid JSON structure. Request inputs have different batch sizes", "UNKNOWN", 400
    REST_INPUTS_NOT_AN_OBJECT = "Invalid JSON structure. One of inputs is not a JSON object.", "UNKNOWN", 400
    REST_NO_INPUTS_FOUND = "Invalid JSON structure, missing inputs", "UNKNOWN", 400
    REST_COULD_NOT_PARSE_INPUT = "Could not parse input content. Not valid ndarray detected", "UNKNOWN", 400
    REST_COULD_NOT_PARSE_OUTPUT = "Could not parse output content.", "UNKNOWN", 400
    REST_COULD_NOT_PARSE_PARAMETERS = "Could not parse request parameters", "UNKNOWN", 400
    REST_PROTO_TO_STRING_ERROR = "Response parsing to JSON error"
    REST_BASE64_DECODE_ERROR = "Decode Base64 to string error"
    REST_UNSUPPORTED_PRECISION = "Could not parse input content. Unsupported data precision detected", "UNKNOWN", 400
    REST_INFERENCE_HEADER_CONTENT_LENGTH_EXCEEDED = "Inference-Header-Content-Length header exceeds actual payload length"
    REST_BINARY_DATA_SIZE_PARAMETER_INVALID = "binary_data_size parameter is invalid and cannot be parsed", "UNKNOWN", 400
    REST_BINARY_BUFFER_EXCEEDED = "Received buffer size is smaller than binary_data_size parameter indicates", "UNKNOWN", 400
    REST_INFERENCE_HEADER_CONTENT_LENGTH_INVALID = "Inference-Header-Content-Length header is invalid and couldn't be parsed"
    REST_CONTENTS_FIELD_NOT_EMPTY = "Request contains values both in binary data and in content value"
    PIPELINE_DEFINITION_ALREADY_EXIST = "Pipeline definition with the same name already exists"
    PIPELINE_NODE_WRONG_KIND_CONFIGURATION = "Unsupported node type"
    PIPELINE_MULTIPLE_ENTRY_NODES = "Pipeline definition has multiple request nodes"
    PIPELINE_MULTIPLE_EXIT_NODES = "Pipeline definition has multiple response nodes"
    PIPELINE_MISSING_ENTRY_OR_EXIT = "Pipeline definition is missing request or response node"
    PIPELINE_DEFINITION_NAME_MISSING = "Pipeline with requested name is not found", "NOT_FOUND", 404
    PIPELINE_NODE_NAME_DUPLICATE = "Pipeline definition has multiple nodes with the same name"
    PIPELINE_CYCLE_FOUND = "Pipeline definition contains a cycle"
    PIPELINE_CONTAINS_UNCONNECTED_NODES = "Pipeline definition has unconnected nodes"
    PIPELINE_NODE_REFERING_TO_MISSING_NODE = "Pipeline definition has reference to missing node"
    PIPELINE_NODE_REFERING_TO_MISSING_MODEL = "Pipeline definition has reference to missing model"
    PIPELINE_NODE_REFERING_TO_MISSING_DATA_SOURCE = "Pipeline definition has reference to missing data source"
    PIPELINE_NODE_REFERING_TO_MISSING_MODEL_OUTPUT = "Pipeline definition has reference to missing model output"
    PIPELINE_CONNECTION_TO_MISSING_MODEL_INPUT = "Pipeline definition has connection to non existing model input"
    PIPELINE_NOT_ALL_INPUTS_CONNECTED = "Pipeline definition does not have connections for all inputs of underlying models"
    PIPELINE_MODEL_INPUT_CONNECTED_TO_MULTIPLE_DATA_SOURCES = "Pipeline definition has multiple connections to the same input of underlying model"
    PIPELINE_EXIT_USED_AS_NODE_DEPENDENCY = "Pipeline definition has response node used as dependency node"
    PIPELINE_NAME_OCCUPIED = "Pipeline has the same name as model"
    PIPELINE_DEFINITION_INVALID_NODE_LIBRARY = "Pipeline refers to incorrect library"
    PIPELINE_INCONSISTENT_SHARD_DIMENSIONS = "Gathered tensor shards dimensions are different"
    PIPELINE_WRONG_NUMBER_OF_DIMENSIONS_TO_DEMULTIPLY = "Wrong number of dimensions in a tensor to be sharded"
    PIPELINE_WRONG_DIMENSION_SIZE_TO_DEMULTIPLY = "Wrong dimension size. Should match demultiply count"
    PIPELINE_NODE_GATHER_FROM_NOT_EXISTING_NODE = "Gather node refers to not existing node"
    PIPELINE_NODE_GATHER_FROM_NOT_DEMULTIPLEXER = "Gather node refers to node that isn't demultiplexer"
    PIPELINE_NODE_GATHER_FROM_ENTRY_NODE = "Gathering from entry node is not allowed"
    PIPELINE_DEMULTIPLY_COUNT_DOES_NOT_MATCH_TENSOR_SHARD_COUNT = "Demultiplication count does not match tensor first dimension"
    PIPELINE_MANUAL_GATHERING_FROM_MULTIPLE_NODES_NOT_SUPPORTED = "Manual gathering from multiple nodes is not supported"
    PIPELINE_NOT_ENOUGH_SHAPE_DIMENSIONS_TO_DEMULTIPLY = "Pipeline has not enough shape dimensions to demultiply"
    PIPELINE_TOO_LARGE_DIMENSION_SIZE_TO_DEMULTIPLY = "Too large dynamic demultiplication requested."
    PIPELINE_WRONG_DEMULTIPLEXER_GATHER_NODES_ORDER = "Demultiplexer and gather nodes are not in LIFO order"
    PIPELINE_DEMULTIPLEXER_NO_RESULTS = "Pipeline execution aborted due to no content from custom node", "ABORTED", 204
    PIPELINE_INPUTS_AMBIGUOUS_METADATA = "Multiple nodes connected to the same pipeline input require different tensor metadata"
    PIPELINE_STRING_DEMUILTIPLICATION_UNSUPPORTED = "Demultiplication is not supported for string precision"
    MEDIAPIPE_DEFINITION_NAME_MISSING = "Mediapipe graph definition with requested name is not found", "NOT_FOUND", 404
    PYTHON_NODE_FILE_DOES_NOT_EXIST = "The Python Node file path does not exist"
    PYTHON_NODE_FILE_STATE_INITIALIZATION_FAILED = "The Python Node state initialization failed"
    PYTHON_NODE_MISSING_OPTIONS = "The Python Node is missing options definition"
    S3_BUCKET_NOT_FOUND = "S3 Bucket not found"
    S3_METADATA_FAIL = "S3 metadata failure"
    S3_FAILED_LIST_OBJECTS = "S3 Failed to list objects"
    S3_INVALID_ACCESS = "S3 Invalid access rights"
    S3_FILE_NOT_FOUND = "S3 File or directory not found"
    S3_FILE_INVALID = "S3 File path is invalid"
    S3_FAILED_GET_OBJECT = "S3 Failed to get object from path"
    GCS_BUCKET_NOT_FOUND = "GCS Bucket not found"
    GCS_METADATA_FAIL = "GCS metadata failure"
    GCS_FAILED_LIST_OBJECTS = "GCS Failed to list objects"
    GCS_INVALID_ACCESS = "GCS Invalid access rights"
    GCS_FILE_NOT_FOUND = "GCS File or directory not found"
    GCS_FILE_INVALID = "GCS File path is invalid"
    GCS_FAILED_GET_OBJECT = "GCS Failed to get object from path"
    AS_INVALID_PATH = "AS Invalid path"
    AS_CONTAINER_NOT_FOUND = "AS Container not found"
    AS_METADATA_FAIL = "AS metadata failure"
    AS_FAILED_LIST_OBJECTS = "AS Failed to list objects"
    AS_INVALID_ACCESS = "AS Invalid access rights"
    AS_FILE_NOT_FOUND = "AS File or directory not found"
    AS_FAILED_GET_OBJECT = "AS Failed to get object from path"
    NODE_LIBRARY_LOAD_FAILED_OPEN = "Custom node library failed to open"
    NODE_LIBRARY_LOAD_FAILED_SYM = "Custom node library failed to load symbol"
    NODE_LIBRARY_MISSING = "Custom node library not found"
    NODE_LIBRARY_MISSING_OUTPUT = "Custom node output is missing"
    NODE_LIBRARY_EXECUTION_FAILED = "Custom node failed during execution"
    NODE_LIBRARY_OUTPUTS_CORRUPTED = "Custom node library has returned corrupted outputs handle"
    NODE_LIBRARY_OUTPUTS_CORRUPTED_COUNT = "Custom node library has produced corrupted number of outputs"
    NODE_LIBRARY_INVALID_PRECISION = "Custom node has produced tensor with unspecified precision"
    NODE_LIBRARY_INVALID_SHAPE = "Custom node has produced tensor with not matching shape"
    NODE_LIBRARY_INVALID_CONTENT_SIZE = "Custom node output has invalid content size"
    NODE_LIBRARY_METADATA_FAILED = "Custom node failed on metadata call"
    NODE_LIBRARY_OUTPUT_MISSING_NAME = "Custom node output is missing name"
    IMAGE_PARSING_FAILED = "Image parsing failed"
    INVALID_NO_OF_CHANNELS = "Invalid number of channels in binary input", "INVALID_ARGUMENT", 400
    BINARY_IMAGES_RESOLUTION_MISMATCH = "Binary input images for this endpoint are required to have the same resolution", "INVALID_ARGUMENT", 400
    STRING_VAL_EMPTY = "String val is empty", "INVALID_ARGUMENT", 400
    BYTES_CONTENTS_EMPTY = "Bytes contents is empty", "INVALID_ARGUMENT", 500
    NODE_LIBRARY_INITIALIZE_FAILED = "Failure during custom node library initialization"
    INVALID_METRICS_FAMILY_NAME = "Invalid name in metrics_list"
    SERVER_NOT_READY = "Server is not ready", "UNKNOWN", 503
    OPTIONS_USAGE_ERROR = "options validation error"
    DEVICE_WRONG_FORMAT = "Device is in wrong format"
    # fmt: on


# Client mistakes that OVMS answers with HTTP 500 (its table has no entry for them). This server
# answers 400 instead: a bad request must never look like a server failure.
CLIENT_ERROR_HTTP_STATUS = {
    StatusCode.INVALID_MISSING_OUTPUT: 400,
    StatusCode.MODEL_VERSION_INVALID_FORMAT: 400,
    StatusCode.REST_INFERENCE_HEADER_CONTENT_LENGTH_EXCEEDED: 400,
    StatusCode.REST_INFERENCE_HEADER_CONTENT_LENGTH_INVALID: 400,
    StatusCode.REST_CONTENTS_FIELD_NOT_EMPTY: 400,
    StatusCode.REST_BASE64_DECODE_ERROR: 400,
    StatusCode.IMAGE_PARSING_FAILED: 400,
    StatusCode.BYTES_CONTENTS_EMPTY: 400,
    StatusCode.INVALID_STRING_MAX_SIZE_EXCEEDED: 400,
    StatusCode.JSON_NESTING_DEPTH_EXCEEDED: 400,
}


def http_status(code: StatusCode) -> int:
    """The HTTP status this server answers ``code`` with."""
    return CLIENT_ERROR_HTTP_STATUS.get(code, code.http_status)
