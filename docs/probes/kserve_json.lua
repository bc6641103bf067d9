-- wrk script: one KServe JSON infer request for the mlp model (docs/probes/worker_scaling.py).
wrk.method = "POST"
local values = {}
for i = 1, 64 do values[i] = "0.5" end
wrk.body = '{"inputs":[{"name":"input","shape":[1,64],"datatype":"FP32","data":[' .. table.concat(values, ",") .. ']}]}'
wrk.headers["Content-Type"] = "application/json"
