// A node written as OVMS's own custom nodes are: C++, the interface header alone, every
// exported function marked DLL_PUBLIC and helpers DLL_LOCAL, built with -fvisibility=hidden.
// output = input * "factor" (param, default 2) for an FP32 tensor of any dims, rank 2 declared.
#include <cstdlib>
#include <cstring>
#include <string>

#include "custom_node_interface.h"

static constexpr const char* INPUT_NAME = "input";
static constexpr const char* OUTPUT_NAME = "output";

DLL_LOCAL float factorOf(const struct CustomNodeParam* params, int paramsCount) {
    for (int i = 0; i < paramsCount; i++) {
        if (std::string(params[i].key) == "factor") {
            return std::stof(params[i].value);
        }
    }
    return 2.0f;
}

DLL_LOCAL int describe(struct CustomNodeTensorInfo** info, int* infoCount, const char* name) {
    *infoCount = 1;
    *info = (struct CustomNodeTensorInfo*)malloc(sizeof(struct CustomNodeTensorInfo));
    (*info)->name = name;
    (*info)->dimsCount = 2;
    (*info)->dims = (uint64_t*)malloc(2 * sizeof(uint64_t));
    (*info)->dims[0] = 0;
    (*info)->dims[1] = 0;
    (*info)->precision = FP32;
    return 0;
}

DLL_PUBLIC int initialize(void** customNodeLibraryInternalManager,
                          const struct CustomNodeParam* params, int paramsCount) {
    *customNodeLibraryInternalManager = new float(factorOf(params, paramsCount));
    return 0;
}

DLL_PUBLIC int deinitialize(void* customNodeLibraryInternalManager) {
    delete static_cast<float*>(customNodeLibraryInternalManager);
    return 0;
}

DLL_PUBLIC int execute(const struct CustomNodeTensor* inputs, int inputsCount,
                       struct CustomNodeTensor** outputs, int* outputsCount,
                       const struct CustomNodeParam* params, int paramsCount,
                       void* customNodeLibraryInternalManager) {
    (void)params;
    (void)paramsCount;
    if (inputsCount != 1 || inputs[0].precision != FP32) {
        return 1;
    }
    float factor = *static_cast<float*>(customNodeLibraryInternalManager);
    const struct CustomNodeTensor& input = inputs[0];
    struct CustomNodeTensor* output =
        (struct CustomNodeTensor*)malloc(sizeof(struct CustomNodeTensor));
    output->name = OUTPUT_NAME;
    output->dimsCount = input.dimsCount;
    output->dims = (uint64_t*)malloc(input.dimsCount * sizeof(uint64_t));
    std::memcpy(output->dims, input.dims, input.dimsCount * sizeof(uint64_t));
    output->dataBytes = input.dataBytes;
    output->data = (uint8_t*)malloc(input.dataBytes);
    output->precision = FP32;
    const float* in = reinterpret_cast<const float*>(input.data);
    float* out = reinterpret_cast<float*>(output->data);
    for (uint64_t i = 0; i < input.dataBytes / sizeof(float); i++) {
        out[i] = in[i] * factor;
    }
    *outputs = output;
    *outputsCount = 1;
    return 0;
}

DLL_PUBLIC int getInputsInfo(struct CustomNodeTensorInfo** info, int* infoCount,
                             const struct CustomNodeParam* params, int paramsCount,
                             void* customNodeLibraryInternalManager) {
    (void)params;
    (void)paramsCount;
    (void)customNodeLibraryInternalManager;
    return describe(info, infoCount, INPUT_NAME);
}

DLL_PUBLIC int getOutputsInfo(struct CustomNodeTensorInfo** info, int* infoCount,
                              const struct CustomNodeParam* params, int paramsCount,
                              void* customNodeLibraryInternalManager) {
    (void)params;
    (void)paramsCount;
    (void)customNodeLibraryInternalManager;
    return describe(info, infoCount, OUTPUT_NAME);
}

DLL_PUBLIC int release(void* ptr, void* customNodeLibraryInternalManager) {
    (void)customNodeLibraryInternalManager;
    free(ptr);
    return 0;
}
