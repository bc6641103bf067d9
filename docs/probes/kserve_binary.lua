-- wrk script: one KServe binary-extension infer request for the mlp model (worker_scaling.py).
wrk.method = "POST"
local header = '{"inputs":[{"name":"input","shape":[1,64],"datatype":"FP32","parameters":{"binary_data_size":256}}],"outputs":[{"name":"probs","parameters":{"binary_data":true}}]}'
wrk.body = header .. string.rep(string.char(0, 0, 0, 63), 64)
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.headers["Inference-Header-Content-Length"] = tostring(#header)
