// libFuzzer entry point over the decoder. Built by `make fuzz` with `swiftc -sanitize=fuzzer`
// together with the decoder's sources (pure Swift, so they compile as one module).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    precondition(FuzzHarness.exercise(input), "inconsistent tree")
    return 0
}
