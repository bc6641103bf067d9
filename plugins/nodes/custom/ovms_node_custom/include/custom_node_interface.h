/*
 * The custom node C interface of OpenVINO Model Server, as ovms-node-custom loads it.
 *
 * A library exports the six functions below with C linkage. Every call returns 0 on success.
 * Memory a library hands out (output arrays, their names' owners, dims, data, metadata arrays)
 * comes back to it through release(); the server never frees it otherwise.
 *
 * The six functions are declared DLL_PUBLIC (default visibility), so a library built with
 * -fvisibility=hidden still exports them; DLL_LOCAL marks a library's own helpers hidden.
 */
#ifndef OVMS_CUSTOM_NODE_INTERFACE_H
#define OVMS_CUSTOM_NODE_INTERFACE_H

#include <stdint.h>

#ifndef DLL_PUBLIC
#if defined(_WIN32)
#define DLL_PUBLIC __declspec(dllexport)
#elif defined(__GNUC__)
#define DLL_PUBLIC __attribute__((visibility("default")))
#else
#define DLL_PUBLIC
#endif
#endif

#ifndef DLL_LOCAL
#if defined(__GNUC__) && !defined(_WIN32)
#define DLL_LOCAL __attribute__((visibility("hidden")))
#else
#define DLL_LOCAL
#endif
#endif

typedef enum {
    UNSPECIFIED,
    FP32,
    FP16,
    U8,
    I8,
    I16,
    U16,
    I32,
    FP64,
    I64
} CustomNodeTensorPrecision;

/* A tensor passed to or returned by execute(). */
struct CustomNodeTensor {
    const char* name;
    uint8_t* data;
    uint64_t dataBytes;
    uint64_t* dims;
    uint64_t dimsCount;
    CustomNodeTensorPrecision precision;
};

/* A tensor description returned by getInputsInfo() and getOutputsInfo(); a dim of 0 is "any". */
struct CustomNodeTensorInfo {
    const char* name;
    uint64_t* dims;
    uint64_t dimsCount;
    CustomNodeTensorPrecision precision;
};

/* One entry of the node's "params" in the pipeline configuration. */
struct CustomNodeParam {
    const char* key;
    const char* value;
};

#ifdef __cplusplus
extern "C" {
#endif

DLL_PUBLIC int initialize(void** customNodeLibraryInternalManager,
                          const struct CustomNodeParam* params, int paramsCount);
DLL_PUBLIC int deinitialize(void* customNodeLibraryInternalManager);
DLL_PUBLIC int execute(const struct CustomNodeTensor* inputs, int inputsCount,
                       struct CustomNodeTensor** outputs, int* outputsCount,
                       const struct CustomNodeParam* params, int paramsCount,
                       void* customNodeLibraryInternalManager);
DLL_PUBLIC int getInputsInfo(struct CustomNodeTensorInfo** info, int* infoCount,
                             const struct CustomNodeParam* params, int paramsCount,
                             void* customNodeLibraryInternalManager);
DLL_PUBLIC int getOutputsInfo(struct CustomNodeTensorInfo** info, int* infoCount,
                              const struct CustomNodeParam* params, int paramsCount,
                              void* customNodeLibraryInternalManager);
DLL_PUBLIC int release(void* ptr, void* customNodeLibraryInternalManager);

#ifdef __cplusplus
}
#endif

#endif
