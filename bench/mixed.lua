-- Mixed traffic for bench/soak.sh: mostly reads, some writes, as the bench
-- user (BENCH_TOKEN). Post ids come from IDS_FILE. Counts non-2xx answers.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local auth = "Bearer " .. os.getenv("BENCH_TOKEN")
local json = { ["Content-Type"] = "application/json", ["Authorization"] = auth }
failures = 0
local threads = {}

function setup(thread) threads[#threads + 1] = thread end

function init() math.randomseed(os.time()) end

request = function()
  local id = ids[math.random(#ids)]
  local roll = math.random(100)
  if roll <= 50 then
    return wrk.format("GET", "/posts/" .. id)
  elseif roll <= 70 then
    return wrk.format("GET", "/posts/" .. id .. "/comments?limit=20")
  elseif roll <= 75 then
    return wrk.format("GET", "/posts?limit=20&creator_id=" .. os.getenv("BENCH_USER_ID"))
  elseif roll <= 85 then
    return wrk.format("POST", "/posts/" .. id .. "/comments", json,
      '{"content":"A soak comment"}')
  elseif roll <= 95 then
    return wrk.format("POST", "/posts", json,
      '{"title":"Soak post","content":"Written by the soak benchmark."}')
  end
  return wrk.format("GET", "/notifications?limit=10", { ["Authorization"] = auth })
end

response = function(status)
  if status >= 300 then failures = failures + 1 end
end

done = function()
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("failures") end
  io.write(string.format("non-2xx answers: %d\n", total))
end
