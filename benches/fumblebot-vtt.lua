-- wrk script for benches/fumblebot-services-load: POST /vtt/rolls, each request a new
-- Roll20 message (its own message id) from the next extension token in the seats file
-- (`token<TAB>game_id` lines), so that the bridge's limits per token and per game hold and
-- no message is a duplicate. Arguments after `--`: the seats file, the body template (with
-- @@GAME@@ and @@ID@@), and a run nonce.
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  seats = {}
  for line in io.lines(args[1]) do
    local token, game = line:match("^(%S+)\t(%S+)$")
    seats[#seats + 1] = { "Bearer " .. token, game }
  end
  local file = io.open(args[2])
  local template = file:read("*a")
  file:close()
  local game_at = template:find("@@GAME@@", 1, true)
  local id_at = template:find("@@ID@@", 1, true)
  before_game = template:sub(1, game_at - 1)
  between = template:sub(game_at + 8, id_at - 1)
  after_id = template:sub(id_at + 6)
  nonce = args[3]
  -- Each thread starts at its own place in the seats, so that threads spread evenly.
  index = id * 7919
  sent = 0
  failures = 0
end

function request()
  index = index + 1
  sent = sent + 1
  local seat = seats[index % #seats + 1]
  local message_id = "-" .. nonce .. "-" .. id .. "-" .. sent
  return wrk.format("POST", "/vtt/rolls", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = seat[1],
  }, before_game .. seat[2] .. between .. message_id .. after_id)
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
    if failures <= 5 then
      io.stderr:write("status " .. status .. ": " .. body .. "\n")
    end
  end
end
