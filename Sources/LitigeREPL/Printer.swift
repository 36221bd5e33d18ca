/// The REPL's Lua side: the pretty printer and the completion helper, run in their own environment of
/// the session's state (so a script cannot redefine them).
enum ConsoleHelpers {
  static let source = #"""
    local colours = {
      string = "\27[32m", number = "\27[36m", boolean = "\27[35m", ["nil"] = "\27[2m",
      userdata = "\27[33m", ["function"] = "\27[34m", reset = "\27[0m", dim = "\27[2m",
    }
    local max_depth, max_items, width = 4, 24, 72

    local function paint(text, kind, colour)
      if not colour or not colours[kind] then return text end
      return colours[kind] .. text .. colours.reset
    end

    local function is_identifier(key)
      return type(key) == "string" and key:match("^[%a_][%w_]*$") ~= nil
    end

    local render

    local function render_table(value, colour, depth, seen, indent)
      if seen[value] then return paint("<cycle>", "dim", colour) end
      if depth >= max_depth then return paint("{...}", "dim", colour) end
      seen[value] = true
      local items, count, length = {}, 0, rawlen(value)
      for index = 1, length do
        count = count + 1
        if count <= max_items then
          items[#items + 1] = render(rawget(value, index), colour, depth + 1, seen, indent .. "  ")
        end
      end
      local keys = {}
      for key in next, value do
        if not (math.type(key) == "integer" and key >= 1 and key <= length) then keys[#keys + 1] = key end
      end
      table.sort(keys, function(a, b)
        if type(a) == type(b) and (type(a) == "string" or type(a) == "number") then return a < b end
        return type(a) < type(b)
      end)
      for _, key in ipairs(keys) do
        count = count + 1
        if count <= max_items then
          local shown = is_identifier(key) and key
            or "[" .. render(key, colour, depth + 1, seen, indent .. "  ") .. "]"
          items[#items + 1] = shown .. " = " .. render(rawget(value, key), colour, depth + 1, seen, indent .. "  ")
        end
      end
      seen[value] = nil
      if count > max_items then
        items[#items + 1] = paint("... (" .. (count - max_items) .. " more)", "dim", colour)
      end
      if #items == 0 then return "{}" end
      local flat = "{ " .. table.concat(items, ", ") .. " }"
      local visible = flat:gsub("\27%[[%d;]*m", "")
      if utf8.len(visible) and utf8.len(visible) + #indent <= width and not flat:find("\n") then return flat end
      return "{\n" .. indent .. "  " .. table.concat(items, ",\n" .. indent .. "  ") .. "\n" .. indent .. "}"
    end

    render = function(value, colour, depth, seen, indent)
      local kind = type(value)
      -- %q writes a line break as a backslash and a real line break: shown as \n, a string cannot
      -- forge lines that look like the console's own (a reason holding "litige> .commit").
      if kind == "string" then return paint((string.format("%q", value):gsub("\\\n", "\\n")), kind, colour) end
      -- A case, an invoice, a customer: read-only views whose metatable shows the class name.
      local class = getmetatable(value)
      if kind == "table" and (class == "case" or class == "invoice" or class == "customer") then
        return paint("<" .. tostring(value) .. ">", "userdata", colour)
      end
      if kind == "table" then return render_table(value, colour, depth, seen, indent) end
      if kind == "userdata" then return paint("<" .. tostring(value) .. ">", kind, colour) end
      return paint(tostring(value), kind, colour)
    end

    local base_names = {
      "assert", "collectgarbage", "coroutine", "error", "getmetatable", "ipairs", "litige", "load", "math",
      "next", "os", "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "require",
      "select", "setmetatable", "string", "table", "tonumber", "tostring", "type", "utf8", "xpcall",
      "_VERSION",
    }
    local keywords = {
      "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
      "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    }

    return {
      -- Calls `chunk` and renders what it returns, tab-separated as print does; nil when it returns nothing.
      show = function(colour, chunk, check_interrupt)
        check_interrupt()  -- a Ctrl-C typed just before the call started
        local results = table.pack(chunk())
        if results.n == 0 then return nil end
        local parts = {}
        for index = 1, results.n do parts[index] = render(results[index], colour, 0, {}, "") end
        return table.concat(parts, "\t")
      end,
      -- The names that may follow `path` and `separator` ("." or ":"), or the globals when path is "".
      -- Host objects are asked of `host_members(object, separator)`.
      members = function(env, path, separator, host_members)
        local names = {}
        if path == "" then
          for key in pairs(env) do if is_identifier(key) then names[#names + 1] = key end end
          for _, key in ipairs(base_names) do if env[key] ~= nil then names[#names + 1] = key end end
          for _, key in ipairs(keywords) do names[#names + 1] = key end
          return names
        end
        local value = env
        for part in path:gmatch("[^.]+") do
          local ok, next_value = pcall(function() return value[part] end)
          if not ok or next_value == nil then return names end
          value = next_value
        end
        if type(value) == "userdata" or (type(value) == "table" and type(getmetatable(value)) == "string") then
          local members = host_members(value, separator)
          if members then return members end
        end
        if type(value) == "string" and separator == ":" then value = string end
        if type(value) == "table" then
          for key, member in pairs(value) do
            if is_identifier(key) and (separator == "." or type(member) == "function") then
              names[#names + 1] = key
            end
          end
        end
        return names
      end,
    }
    """#
}
