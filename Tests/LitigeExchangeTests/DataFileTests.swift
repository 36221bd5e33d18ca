import Foundation
import Testing

@testable import LitigeExchange

@Suite("Data files")
struct DataFileTests {
  @Test func placeholder() {}
}
