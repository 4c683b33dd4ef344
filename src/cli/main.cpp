// Placeholder entry point; src/cli/ owns the real one.
int main() { return 0; }
