/* Splits an FP32 [rows, cols] input into "shards" [rows, 1, cols] for demultiplexing. */
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
    (void)params, (void)paramsCount, (void)manager;
    if (inputsCount != 1 || inputs[0].dimsCount != 2) return 1;
    uint64_t dims[3] = {inputs[0].dims[0], 1, inputs[0].dims[1]};
    struct CustomNodeTensor* out = output("shards", dims, 3);
    memcpy(out->data, inputs[0].data, out->dataBytes);
    *outputs = out;
    *outputsCount = 1;
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
    info_2d(info, count, "shards");
    (*info)->dimsCount = 3;
    (*info)->dims = realloc((*info)->dims, 3 * sizeof(uint64_t));
    (*info)->dims[0] = 0;
    (*info)->dims[1] = 1;
    (*info)->dims[2] = 0;
    return 0;
}
