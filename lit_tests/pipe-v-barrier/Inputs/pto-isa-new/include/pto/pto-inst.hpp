// Stand-in for pto-isa's umbrella header: ptofix reads the words of the headers it reaches.
#ifndef PTO_INST_HPP
#define PTO_INST_HPP
#include "pto/npu/a2a3/TRowSum.hpp"
#include "pto/npu/a2a3/TRowMax.hpp"
#include "pto/npu/a2a3/TRowMin.hpp"
#include <pto/npu/a2a3/TPush.hpp>
#include <type_traits>
#endif
