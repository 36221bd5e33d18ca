-- hostile: semantics: string.pack and string.unpack round-trip integers, floats and strings in both byte orders, and refuse out-of-range sizes.
-- expect: ok
local packed = string.pack("<i4 d z s1 >I2 j", -5, 1.5, "hi", "abc", 513, math.mininteger)
local a, b, c, d, e, f, next_position = string.unpack("<i4 d z s1 >I2 j", packed)
assert(a == -5 and b == 1.5 and c == "hi" and d == "abc" and e == 513 and f == math.mininteger)
assert(next_position == #packed + 1)
assert(string.packsize("i4 i8 d") == 20 or string.packsize("i4 i8 d") == 24)
assert(string.pack(">I2", 258) == "\1\2" and string.pack("<I2", 258) == "\2\1")
assert(not pcall(string.pack, "i17", 1), "sizes above 16 are refused")
assert(not pcall(string.pack, "i1", 200), "overflow of a 1-byte integer is refused")
assert(string.unpack("i16", string.pack("i16", -2)) == -2)
assert(not pcall(string.unpack, "i4", "abc"), "data too short is refused")
