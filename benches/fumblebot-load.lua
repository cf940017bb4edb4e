-- wrk script for benches/fumblebot-load: sends the pre-signed interactions of the file
-- given after `--`, each thread its own share, each line once until the file runs out.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local path, total = args[1], tonumber(args[2])
  requests = {}
  local n = 0
  for line in io.lines(path) do
    if n % total == id then
      local signature, timestamp, body = line:match("^(%x+)\t(%d+)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", "/discord/interactions", {
        ["Content-Type"] = "application/json",
        ["X-Signature-Ed25519"] = signature,
        ["X-Signature-Timestamp"] = timestamp,
      }, body)
    end
    n = n + 1
  end
  index = 0
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("status " .. status .. ": " .. body .. "\n")
  end
end
