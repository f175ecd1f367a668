//! Gradients and Jacobians flattened into plain `f64` lists, for comparing them with numbers
//! from elsewhere: shared by `tests/expressions/mod.rs` and `tests/methods/functions.rs`, each
//! of which includes this file as a module of its own.

use mlp::nalgebra::SMatrix;

/// A gradient by one argument, flattened (a matrix column-major, as nalgebra stores it).
pub trait Flat {
    fn flat(&self, out: &mut Vec<f64>);
}
impl Flat for f64 {
    fn flat(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
}
impl<const R: usize, const C: usize> Flat for SMatrix<f64, R, C> {
    fn flat(&self, out: &mut Vec<f64>) {
        out.extend_from_slice(self.as_slice());
    }
}

/// The Jacobian blocks of a vector result, one per argument.
pub trait Rows {
    fn rows(&self) -> usize;
    fn row(&self, i: usize, out: &mut Vec<f64>);
}
impl<const R: usize, const C: usize> Rows for SMatrix<f64, R, C> {
    fn rows(&self) -> usize {
        R
    }
    fn row(&self, i: usize, out: &mut Vec<f64>) {
        out.extend(self.row(i).iter());
    }
}

/// A tuple of gradients, flattened one after the other (up to six).
pub trait Tuple {
    fn flat_all(&self, out: &mut Vec<f64>);
}
macro_rules! tuples {
    ($($t:ident $i:tt),*) => {
        impl<$($t: Flat),*> Tuple for ($($t,)*) {
            fn flat_all(&self, out: &mut Vec<f64>) {
                $(self.$i.flat(out);)*
            }
        }
    };
}
tuples!(A 0);
tuples!(A 0, B 1);
tuples!(A 0, B 1, C 2);
tuples!(A 0, B 1, C 2, D 3);
tuples!(A 0, B 1, C 2, D 3, E 4);
tuples!(A 0, B 1, C 2, D 3, E 4, F 5);

/// Jacobian blocks side by side: row i of the result is row i of each block, in argument order.
pub struct Blocks<'a>(pub &'a [&'a dyn Rows]);
impl Blocks<'_> {
    pub fn rows_all(&self, out: &mut Vec<f64>) {
        for i in 0..self.0[0].rows() {
            for block in self.0 {
                block.row(i, out);
            }
        }
    }
}
