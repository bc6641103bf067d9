/* output = input + value (param "value", default 1) for an FP32 tensor of any dims; the
 * metadata declares rank "rank" (param, default 2). */
#include <stdio.h>

#include "common.h"

static atomic_int managers = 0;

/* Managers created by initialize and not yet destroyed by deinitialize. */
int live_managers(void) { return atomic_load(&managers); }

struct settings {
    float value;
    int rank;
};

int initialize(void** manager, const struct CustomNodeParam* params, int count) {
    struct settings* settings = malloc(sizeof(struct settings));
    const char* value = param(params, count, "value");
    const char* rank = param(params, count, "rank");
    settings->value = value ? strtof(value, NULL) : 1.0f;
    settings->rank = rank ? atoi(rank) : 2;
    *manager = settings;
    atomic_fetch_add(&managers, 1);
    return 0;
}

int deinitialize(void* manager) {
    free(manager);
    atomic_fetch_sub(&managers, 1);
    return 0;
}

int execute(const struct CustomNodeTensor* inputs, int inputsCount,
            struct CustomNodeTensor** outputs, int* outputsCount,
            const struct CustomNodeParam* params, int paramsCount, void* manager) {
    (void)params;
    (void)paramsCount;
    if (inputsCount != 1 || inputs[0].precision != FP32) return 1;
    float value = ((struct settings*)manager)->value;
    struct CustomNodeTensor* out = output("output", inputs[0].dims, (int)inputs[0].dimsCount);
    const float* in = (const float*)inputs[0].data;
    float* result = (float*)out->data;
    for (uint64_t i = 0; i < out->dataBytes / sizeof(float); i++) result[i] = in[i] + value;
    *outputs = out;
    *outputsCount = 1;
    return 0;
}

static int info_any(struct CustomNodeTensorInfo** info, int* count, const char* name,
                    void* manager) {
    int rank = ((struct settings*)manager)->rank;
    *count = 1;
    *info = tracked(sizeof(struct CustomNodeTensorInfo));
    (*info)->name = name;
    (*info)->dimsCount = rank;
    (*info)->dims = tracked(rank * sizeof(uint64_t));
    for (int i = 0; i < rank; i++) (*info)->dims[i] = 0;
    (*info)->precision = FP32;
    return 0;
}

int getInputsInfo(struct CustomNodeTensorInfo** info, int* count,
                  const struct CustomNodeParam* params, int paramsCount, void* manager) {
    (void)params, (void)paramsCount;
    return info_any(info, count, "input", manager);
}

int getOutputsInfo(struct CustomNodeTensorInfo** info, int* count,
                   const struct CustomNodeParam* params, int paramsCount, void* manager) {
    (void)params, (void)paramsCount;
    return info_any(info, count, "output", manager);
}
