//===- MpcInterfaces.cpp - mpc op interfaces ------------------------------===//

#include "dialects/mpc/MpcInterfaces.h"

#include "dialects/mpc/MpcInterfaces.cpp.inc"
