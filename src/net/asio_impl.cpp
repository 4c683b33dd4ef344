// asio's compiled part, once for the whole module (ASIO_SEPARATE_COMPILATION keeps every other
// file of src/net from compiling it again).
#include <asio/impl/src.hpp>
