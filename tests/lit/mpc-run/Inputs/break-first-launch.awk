# Copies a generated step.cu, moving every arena pointer of the first kernel
# launch of @train_step from the arena to the first pages of the address
# space, which nothing maps, so that the kernel faults on the device. Writes
# the text its op group names the op by (a plain C string in the examples)
# to the file `named`.

/^extern "C" int mpc_fn_train_step/ { inTrain = 1 }
inTrain && /^  static const char op_[0-9]+\[\] = "/ {
  op = $0
  sub(/^  static const char op_[0-9]+\[\] = "/, "", op)
  sub(/";$/, "", op)
}
inTrain && !done && /<<</ {
  gsub(/\(args->arena \+ /, "((char *)(uintptr_t)64 + ")
  print op > named
  done = 1
}
{ print }
