# IPC C tests, included by the Makefile (`make ipc-ctest`, part of `make test`).
# The seed example is RayforceDB's own client, compiled UNCHANGED: no -Werror
# (it prints an int64_t with %lld) and no test harness.
IPC_GEN := target/make/ipc

.PHONY: ipc-ctest
ipc-ctest: lib
	@mkdir -p $(IPC_GEN)
	$(CC) -Iinclude c-tests/seed_example.c -o $(IPC_GEN)/seed_example \
	  -L$(REL) -lrayforce -Wl,-rpath,$(abspath $(REL))
	bash c-tests/ipc_seed.sh $(REL)/rayforce $(IPC_GEN)/seed_example
