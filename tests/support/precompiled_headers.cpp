// The owner of the test suites' shared precompiled header (tests/CMakeLists.txt): an object
// library needs one source, and this one adds no code.
