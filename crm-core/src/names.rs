//! The stable names of enums that are stored and sent as text.

/// Gives an enum of unit variants its stable names: `ALL`, `as_str`, `Display`, and a
/// `FromStr` that accepts any case and spaces or dashes for underscores.
macro_rules! names {
    ($ty:ident { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in a stable order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The stable name used in storage and on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::error::ValueError;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                let wanted = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
                $ty::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| $crate::error::ValueError::new(format!(
                        "`{}` is not one of: {}",
                        s.trim(),
                        [$($name),+].join(", ")
                    )))
            }
        }
    };
}

pub(crate) use names;
