#include "pto/pto-inst.hpp"
using namespace pto;
int x = 1;
