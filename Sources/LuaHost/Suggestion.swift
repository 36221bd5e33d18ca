/// The closest known name to a misspelt one, for "did you mean" in errors.
public enum Suggestion {
  /// The name of `known` nearest to `name` (edit distance, at most a third of its length and 3), or nil.
  public static func closest(to name: String, among known: [String]) -> String? {
    let limit = min(3, max(1, name.count / 3))
    var best: (name: String, distance: Int)?
    for candidate in known {
      let distance = editDistance(Array(name.lowercased()), Array(candidate.lowercased()))
      if distance <= limit, distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
    }
    return best?.name
  }

  /// `, did you mean 'x'?` for `name` among `known`, or an empty string.
  public static func phrase(for name: String, among known: [String]) -> String {
    closest(to: name, among: known).map { " (did you mean '\($0)'?)" } ?? ""
  }

  /// Edit distance with adjacent transpositions (optimal string alignment): insertions, deletions,
  /// substitutions and swaps of two neighbours each cost 1, so `nmae` is 1 from `name`.
  static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var beforePrevious = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        current[j] = min(
          previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          current[j] = min(current[j], beforePrevious[j - 2] + 1)
        }
      }
      (beforePrevious, previous, current) = (previous, current, beforePrevious)
    }
    return previous[b.count]
  }
}
