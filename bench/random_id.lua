-- GET PATH_TEMPLATE with "{id}" replaced by a random line of IDS_FILE, so the
-- load spreads over the data set instead of one cached row.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local template = os.getenv("PATH_TEMPLATE")
math.randomseed(os.time())

request = function()
  local path = template:gsub("{id}", ids[math.random(#ids)])
  return wrk.format("GET", path)
end
