/* Helpers shared by the test nodes: tracked allocations and 2-D FP32 metadata. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "custom_node_interface.h"

static atomic_int live = 0;

/* Allocations still owned by the server (handed out, not yet released). */
int live_buffers(void) { return atomic_load(&live); }

static inline void* tracked(size_t size) {
    atomic_fetch_add(&live, 1);
    return malloc(size ? size : 1);
}

int release(void* ptr, void* manager) {
    (void)manager;
    atomic_fetch_sub(&live, 1);
    free(ptr);
    return 0;
}

static inline const char* param(const struct CustomNodeParam* params, int count, const char* key) {
    for (int i = 0; i < count; i++) {
        if (strcmp(params[i].key, key) == 0) return params[i].value;
    }
    return NULL;
}

/* One FP32 tensor of rank 2 with any dims, named `name`. */
static inline int info_2d(struct CustomNodeTensorInfo** info, int* count, const char* name) {
    *count = 1;
    *info = tracked(sizeof(struct CustomNodeTensorInfo));
    (*info)->name = name;
    (*info)->dimsCount = 2;
    (*info)->dims = tracked(2 * sizeof(uint64_t));
    (*info)->dims[0] = 0;
    (*info)->dims[1] = 0;
    (*info)->precision = FP32;
    return 0;
}

/* A single output array holding one FP32 tensor of the given dims, data not yet filled. */
static inline struct CustomNodeTensor* output(const char* name, const uint64_t* dims, int rank) {
    struct CustomNodeTensor* out = tracked(sizeof(struct CustomNodeTensor));
    uint64_t elements = 1;
    out->name = name;
    out->dimsCount = rank;
    out->dims = tracked(rank * sizeof(uint64_t));
    for (int i = 0; i < rank; i++) {
        out->dims[i] = dims[i];
        elements *= dims[i];
    }
    out->dataBytes = elements * sizeof(float);
    out->data = tracked(out->dataBytes);
    out->precision = FP32;
    return out;
}
