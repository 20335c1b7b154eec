//===- PrecisionTraits.h - default autocast categories of ops ---*- C++ -*-===//
//
// The C++ side of MpcPrecisionTraits.td.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_DIALECT_PRECISIONTRAITS_H
#define MPC_DIALECT_PRECISIONTRAITS_H

#include "mlir/IR/OpDefinition.h"

namespace mpc::OpTrait {

template <typename ConcreteType>
class AutocastAllow
    : public mlir::OpTrait::TraitBase<ConcreteType, AutocastAllow> {};
template <typename ConcreteType>
class AutocastDeny
    : public mlir::OpTrait::TraitBase<ConcreteType, AutocastDeny> {};
template <typename ConcreteType>
class AutocastInfer
    : public mlir::OpTrait::TraitBase<ConcreteType, AutocastInfer> {};
template <typename ConcreteType>
class AutocastClear
    : public mlir::OpTrait::TraitBase<ConcreteType, AutocastClear> {};
template <typename ConcreteType>
class KeepsPrecision
    : public mlir::OpTrait::TraitBase<ConcreteType, KeepsPrecision> {};

template <typename ConcreteType>
class Elementwise : public mlir::OpTrait::TraitBase<ConcreteType, Elementwise> {
};

template <typename ConcreteType>
class NarrowableResult
    : public mlir::OpTrait::TraitBase<ConcreteType, NarrowableResult> {};

template <typename ConcreteType>
class F32LossOfAnyFloat
    : public mlir::OpTrait::TraitBase<ConcreteType, F32LossOfAnyFloat> {};

} // namespace mpc::OpTrait

#endif // MPC_DIALECT_PRECISIONTRAITS_H
