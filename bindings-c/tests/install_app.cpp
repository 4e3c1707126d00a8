// Built by tests/install_test.sh against an installed copy with
// `c++ -std=c++17 install_app.cpp $(pkg-config --cflags --libs hookbridge)`: the C++ wrapper is
// installed beside hookbridge.h and works with the installed library.
#include <cstring>
#include <iostream>
#include <string>

#include <hookbridge.hpp>

int main() {
    const std::string body = "{\"event\":\"installed\"}";
    const std::string signature = hookbridge::sign("whsec_test", "1700000000", body);
    hookbridge::verify_signature(body, signature, "1700000000", {"whsec_test"}, 300, 1700000000);
    try {
        hookbridge::verify_signature(body, signature, "1700000000", {"whsec_other"}, 300, 1700000000);
        std::cerr << "a signature verified with the wrong secret\n";
        return 1;
    } catch (const hookbridge::Error &e) {
        if (e.result() != HB_RESULT_VERIFY_MISMATCH) {
            std::cerr << "wrong secret gave " << e.code() << ", expected a mismatch\n";
            return 1;
        }
    }
    if (std::strcmp(hb_version(), HB_VERSION_STRING) != 0) {
        std::cerr << "hb_version() is " << hb_version() << ", the header says " << HB_VERSION_STRING << "\n";
        return 1;
    }
    std::cout << "hookbridge.hpp " << HB_VERSION_STRING << ": " << signature << "\n";
    return 0;
}
