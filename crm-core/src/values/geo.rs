use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// A WGS 84 position, for the map view of an address.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    latitude: f64,
    longitude: f64,
}

impl GeoPoint {
    /// A position; latitude in −90…90 and longitude in −180…180 degrees.
    ///
    /// # Errors
    /// A [`ValueError`] naming the coordinate that is out of range or not a number.
    pub fn new(latitude: f64, longitude: f64) -> Result<Self, ValueError> {
        if !latitude.is_finite() || !(-90.0..=90.0).contains(&latitude) {
            return Err(ValueError::new(format!(
                "latitude {latitude} is outside -90..90 degrees"
            )));
        }
        if !longitude.is_finite() || !(-180.0..=180.0).contains(&longitude) {
            return Err(ValueError::new(format!(
                "longitude {longitude} is outside -180..180 degrees"
            )));
        }
        Ok(GeoPoint {
            latitude,
            longitude,
        })
    }

    /// Degrees north.
    pub fn latitude(&self) -> f64 {
        self.latitude
    }

    /// Degrees east.
    pub fn longitude(&self) -> f64 {
        self.longitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_range_checked() {
        assert!(GeoPoint::new(47.37, 8.54).is_ok());
        assert!(GeoPoint::new(91.0, 8.0).unwrap_err().0.contains("latitude"));
        assert!(
            GeoPoint::new(47.0, f64::NAN)
                .unwrap_err()
                .0
                .contains("longitude")
        );
    }
}
