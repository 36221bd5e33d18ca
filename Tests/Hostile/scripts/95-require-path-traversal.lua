-- hostile: escape: requires module names that try to leave the module folder (.., absolute paths, separators, empty names, NUL bytes).
-- expect: ok
local names = {
  "..", "../..", "../../etc/passwd", "/etc/passwd", "a..b", "..a", "a.", ".a", "", " ",
  "a/b", "a\\b", "etc/passwd", "a\0b", "~", "..\\..", ("a."):rep(200) .. "a", "%2e%2e",
}
for i, name in ipairs(names) do
  local ok, result = pcall(require, name)
  if ok then error("ESCAPED: require of name " .. i .. " returned a " .. type(result), 0) end
end
