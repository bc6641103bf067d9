/* A node that fails: execute returns param "code" (default 1); params "fail_initialize" and
 * "fail_metadata" set to "1" make those calls fail instead. */
#include "common.h"

int initialize(void** manager, const struct CustomNodeParam* params, int count) {
    *manager = NULL;
    const char* fail = param(params, count, "fail_initialize");
    return fail && strcmp(fail, "1") == 0 ? 5 : 0;
}

int deinitialize(void* manager) {
    (void)manager;
    return 0;
}

int execute(const struct CustomNodeTensor* inputs, int inputsCount,
            struct CustomNodeTensor** outputs, int* outputsCount,
            const struct CustomNodeParam* params, int paramsCount, void* manager) {
    (void)inputs, (void)inputsCount, (void)outputs, (void)outputsCount, (void)manager;
    const char* code = param(params, paramsCount, "code");
    return code ? atoi(code) : 1;
}

int getInputsInfo(struct CustomNodeTensorInfo** info, int* count,
                  const struct CustomNodeParam* params, int paramsCount, void* manager) {
    (void)manager;
    const char* fail = param(params, paramsCount, "fail_metadata");
    if (fail && strcmp(fail, "1") == 0) return 7;
    return info_2d(info, count, "input");
}

int getOutputsInfo(struct CustomNodeTensorInfo** info, int* count,
                   const struct CustomNodeParam* params, int paramsCount, void* manager) {
    (void)params, (void)paramsCount, (void)manager;
    return info_2d(info, count, "output");
}
