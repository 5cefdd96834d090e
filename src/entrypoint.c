// Forward R's routine registration to the Rust static library; without this
// call the linker would drop the Rust objects.
void R_init_synthinfer_extendr(void *dll);

void R_init_synthinfer(void *dll) {
    R_init_synthinfer_extendr(dll);
}
