/* Returns malformed outputs, chosen by param "mode":
 * null_outputs, zero_count, no_name, unspecified, bad_size, null_data, missing_output,
 * wrong_shape, wrong_precision. Declares input "input" and output "output" (FP32, rank 2). */
#include "common.h"

int initialize(void** manager, const struct CustomNodeParam* params, int count) {
    (void)params, (void)count;
    *manager = NULL;
    return 0;
}

int deinitialize(void* manager) {
    (void)manager;
    return 0;
}

int execute(const struct CustomNodeTensor* inputs, int inputsCount,
            struct CustomNodeTensor** outputs, int* outputsCount,
            const struct CustomNodeParam* params, int paramsCount, void* manager) {
    (void)manager;
    const char* mode = param(params, paramsCount, "mode");
    if (inputsCount != 1 || mode == NULL) return 1;
    if (strcmp(mode, "null_outputs") == 0) {
        *outputs = NULL;
        *outputsCount = 1;
        return 0;
    }
    struct CustomNodeTensor* out = output("output", inputs[0].dims, 2);
    memcpy(out->data, inputs[0].data, out->dataBytes);
    *outputs = out;
    *outputsCount = 1;
    if (strcmp(mode, "zero_count") == 0) {
        release(out->dims, NULL);
        release(out->data, NULL);
        *outputsCount = 0;
    } else if (strcmp(mode, "no_name") == 0) {
        out->name = NULL;
    } else if (strcmp(mode, "unspecified") == 0) {
        out->precision = UNSPECIFIED;
    } else if (strcmp(mode, "bad_size") == 0) {
        out->dataBytes -= 4;
    } else if (strcmp(mode, "null_data") == 0) {
        release(out->data, NULL);
        out->data = NULL;
    } else if (strcmp(mode, "missing_output") == 0) {
        out->name = "something_else";
    } else if (strcmp(mode, "wrong_shape") == 0) {
        out->dimsCount = 1;
        out->dims[0] *= out->dims[1];
    } else if (strcmp(mode, "wrong_precision") == 0) {
        out->precision = I32;
    }
    return 0;
}

int getInputsInfo(struct CustomNodeTensorInfo** info, int* count,
                  const struct CustomNodeParam* params, int paramsCount, void* manager) {
    (void)params, (void)paramsCount, (void)manager;
    return info_2d(info, count, "input");
}

int getOutputsInfo(struct CustomNodeTensorInfo** info, int* count,
                   const struct CustomNodeParam* params, int paramsCount, void* manager) {
    (void)params, (void)paramsCount, (void)manager;
    return info_2d(info, count, "output");
}
